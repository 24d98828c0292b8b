//! Legacy Beaker pickles: a whitelisted opcode reader that only builds data, and a protocol-2
//! writer.
