//! Plan reviews, the review policy and the compliance report.

mod compliance;
mod handlers;
mod model;
mod policy;

pub(crate) use compliance::judge_plans;
pub use compliance::*;
pub use handlers::*;
pub use model::*;
pub use policy::*;
