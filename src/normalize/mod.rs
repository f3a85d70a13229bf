//! Normalization: turns a response into a canonical, run-independent JSON document (sorted
//! keys, set-like arrays ordered, server ids replaced by capture names, timestamps/versions
//! validated then replaced, base URL replaced, secrets scrubbed). (Contract only.)
