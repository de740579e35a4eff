//! Ministry, expert, public-notice and publication steps (being written).
