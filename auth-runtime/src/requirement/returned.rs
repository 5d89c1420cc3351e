//! The list a `#[filter_returned]` handler returns: what the generated filter removes
//! the denied items from.

/// A returned value that holds a list of items: `Vec<T>`, and with the `axum` feature
/// `axum::Json<Vec<T>>`. `#[filter_returned(|item| ...)]` keeps the items its
/// requirement allows.
///
/// ```
/// use portcullis::ReturnedItems;
///
/// let mut rows = vec![1, 2, 3];
/// ReturnedItems::items(&mut rows).retain(|n| n % 2 == 1);
/// assert_eq!(rows, [1, 3]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`#[filter_returned]` filters a list, but the handler returns `{Self}`",
    label = "return a `Vec<T>` or a `Json<Vec<T>>` (or a `Result` of one)",
    note = "to check one returned value, use `#[require_returned(|value| ...)]`"
)]
pub trait ReturnedItems {
    /// The type of the items.
    type Item;

    /// The list, to filter in place.
    fn items(&mut self) -> &mut Vec<Self::Item>;
}

impl<T> ReturnedItems for Vec<T> {
    type Item = T;

    fn items(&mut self) -> &mut Vec<T> {
        self
    }
}

#[cfg(feature = "axum")]
impl<T> ReturnedItems for axum::Json<Vec<T>> {
    type Item = T;

    fn items(&mut self) -> &mut Vec<T> {
        &mut self.0
    }
}
