//! County and province steps of the recognition workflow (being written).
