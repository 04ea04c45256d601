#pragma once
// SIGINT (Ctrl-C) and SIGTERM (what a cluster scheduler sends before a kill) ask a command to
// stop cleanly: training stops after the current batch and leaves a resumable run. A second
// signal of the same kind kills at once (the handler restores the default).

#include <atomic>

namespace denseshift::cli {

/// Set by the handlers; pass its address to train::RunOptions::stop_requested.
extern std::atomic<bool> stop_requested;
/// The signal that set stop_requested (SIGINT or SIGTERM).
extern std::atomic<int> stop_signal;

/// Installs the handlers for SIGINT and SIGTERM.
void catch_stop_signals();
/// Restores the default handlers.
void release_stop_signals();

}  // namespace denseshift::cli
