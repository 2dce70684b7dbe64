pub mod assistant;
pub mod date_time;
pub mod field;
pub mod form;
pub mod header;
pub mod icon;
pub mod uploader;
