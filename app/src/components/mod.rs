pub mod assistant;
pub mod field;
pub mod form;
pub mod header;
pub mod icon;
pub mod uploader;
