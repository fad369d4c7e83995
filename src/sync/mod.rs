//! Keeping a folder's local copy in step with the server: the known set
//! and the reconcile rules. Pure data and functions; the account worker
//! does the talking and the store the keeping.

pub mod known;
pub mod reconcile;

pub use known::Known;
pub use reconcile::FolderSync;
