#include "denseshift/sweep/pool.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "denseshift/core/error.h"

extern char** environ;

namespace denseshift::sweep {

namespace fs = std::filesystem;

fs::path LocalPool::log_of(int64_t index) const { return dir_ / "logs" / (std::to_string(index) + ".log"); }

void LocalPool::start(const RunEntry& run, bool restart) {
  const fs::path log = log_of(run.index);
  fs::create_directories(log.parent_path());
  std::vector<std::string> argv_text = {"denseshift", "sweep", "run-task", dir_.string(),
                                        std::to_string(run.index), "--threads", std::to_string(threads_)};
  if (restart) argv_text.push_back("--restart");
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  // Each task in its own process group: a Ctrl-C at the terminal reaches the pool's process only,
  // which passes exactly one stop signal on (a second one would kill a task at once).
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  pid_t pid = -1;
  const std::string exe = fs::read_symlink("/proc/self/exe").string();  // this very binary
  const int rc = posix_spawn(&pid, exe.c_str(), &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) throw Error("cannot start a task for run " + std::to_string(run.index) + ": " + std::strerror(rc));
  active_.push_back({pid, run, std::chrono::steady_clock::now()});
}

std::optional<FinishedTask> LocalPool::reap() {
  while (!active_.empty()) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid == 0 || (pid < 0 && errno == EINTR)) return std::nullopt;
    if (pid < 0) throw Error(std::string("waiting for the runs failed: ") + std::strerror(errno));
    const auto it = std::find_if(active_.begin(), active_.end(), [&](const Child& c) { return c.pid == pid; });
    if (it == active_.end()) continue;  // not one of ours
    FinishedTask done;
    done.run = it->run;
    done.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - it->started).count();
    done.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    active_.erase(it);
    return done;
  }
  return std::nullopt;
}

void LocalPool::signal_all(int signal) const {
  for (const auto& c : active_) ::kill(c.pid, signal);
}

}  // namespace denseshift::sweep
