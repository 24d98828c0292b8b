//! Beaker's `timeout` check against `_accessed_time`.
