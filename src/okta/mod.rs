//! What Okta sends: the one home of Okta's request shapes (headers, user create and profile
//! push bodies shaped by the app profile, activation PATCHes, group create, push and member
//! PATCHes), used by the scenario renderer (`shape: user`, `body_from`), the steady-state pass
//! and the load mode alike, so all three send the same requests.

pub mod body_path;
pub mod requests;
