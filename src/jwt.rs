//! Compact JWS with HS256 (RFC 7515, RFC 7518 §3.2), as joserfc 1.8.0 writes and reads it.
