//! Runnable examples for cspark (see `src/bin`).
