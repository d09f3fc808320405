//! Whether a cached figure may be served outdated: yes on behalf of a reader (who then gets
//! the last figures at once, and a background task recomputes them), never inside that
//! background recompute or any other computation that must be current (a snapshot).

use std::cell::Cell;

tokio::task_local! {
    /// Set for the length of a reader's call: whether any part was served outdated.
    static READER: Cell<bool>;
}

/// Whether the running call may be served an outdated entry; records that it was.
pub fn serve_stale() -> bool {
    READER
        .try_with(|served| {
            served.set(true);
            true
        })
        .unwrap_or(false)
}

/// Whether the running call is a reader's (without recording anything).
pub fn is_reader() -> bool {
    READER.try_with(|_| ()).is_ok()
}

/// Runs a reader's `call`, and says whether any part of its answer was outdated.
pub async fn serving<F: Future>(call: F) -> (F::Output, bool) {
    READER
        .scope(Cell::new(false), async move {
            let output = call.await;
            (output, READER.with(Cell::get))
        })
        .await
}

/// Runs one part of a computation, and says whether that part used outdated figures: then what
/// it computes is outdated too, and must be cached as such (never as current, which would keep
/// the background recompute from replacing it). Within a reader's call the reader is told, as
/// by [`serve_stale`]; outside one nothing is served outdated and this only runs `part`.
/// The computation comes boxed: it is large, and this wraps it in a task-local scope.
pub async fn computing<F: Future>(part: std::pin::Pin<Box<F>>) -> (F::Output, bool) {
    if !is_reader() {
        return (part.await, false);
    }
    let (output, outdated) = serving(part).await;
    if outdated {
        serve_stale();
    }
    (output, outdated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_a_readers_call_is_served_outdated_figures() {
        assert!(!serve_stale(), "outside a reader's call, figures are recomputed");
        assert!(!is_reader());
        let ((), stale) = serving(async { assert!(is_reader()) }).await;
        assert!(!stale, "asking does not mark the call as served outdated");
        let ((), stale) = serving(async {}).await;
        assert!(!stale);
        let (allowed, stale) = serving(async { serve_stale() }).await;
        assert!(allowed && stale);
        // A task spawned from a reader's call (the background recompute) is not a reader.
        let (spawned, _) = serving(async { tokio::spawn(async { serve_stale() }).await.unwrap_or(true) }).await;
        assert!(!spawned);
    }

    #[tokio::test]
    async fn a_part_computed_from_outdated_figures_says_so_and_tells_the_reader() {
        let ((), outdated) = computing(Box::pin(async {})).await;
        assert!(!outdated, "outside a reader nothing is outdated");
        let ((current, stale_part), reader_told) = serving(async {
            let ((), current) = computing(Box::pin(async {})).await;
            let ((), stale_part) = computing(Box::pin(async {
                serve_stale();
            }))
            .await;
            (current, stale_part)
        })
        .await;
        assert!(!current, "a part that served nothing outdated is current");
        assert!(stale_part, "a part that served something outdated is outdated");
        assert!(reader_told, "and the reader is told");
    }
}
