//! (feature `bson`) `Value` / `Document` <-> `::bson::Bson` / `::bson::Document`.
