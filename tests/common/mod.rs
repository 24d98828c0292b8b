//! Helpers shared by the integration tests: the Python venv and oracle process, canonical
//! Extended JSON of our values, seeded random sessions, and `.ini` option files.
// Each test binary compiles this module and uses only part of it.
#![allow(dead_code)]

pub mod codecs;
pub mod extjson;
pub mod failures;
pub mod gen;
pub mod ini;
pub mod mode;
pub mod oracle;
pub mod pyenv;
