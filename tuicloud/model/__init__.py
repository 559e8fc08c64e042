"""The model layer: each refresh loop's state (poller, diff, epoch, failures, freshness) and the
one retry policy, below the screens. Nothing here imports Textual or Rich: a screen runs the
worker and the timer, and hands what comes back to its widgets."""
