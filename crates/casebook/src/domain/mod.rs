//! The records of a liaison station's work, with the rules that do not need the database.

pub mod audit;
pub mod category;
pub mod deputy_activity;
pub mod labels;
pub mod mediation;
pub mod meeting;
pub mod reception;
pub mod roster;
pub mod suggestion;

pub use audit::*;
pub use category::{DISPUTE_TYPES, SUGGESTION_CATEGORIES, dispute_type_index, reception_category};
pub use deputy_activity::*;
pub use labels::{Choice, Labels, labels};
pub use mediation::*;
pub use meeting::*;
pub use reception::*;
pub use roster::*;
pub use suggestion::*;
