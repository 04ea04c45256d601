#include "denseshift/sweep/slurm.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "denseshift/core/error.h"
#include "denseshift/core/system.h"

extern char** environ;

namespace denseshift::sweep {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// The batch script of one job array: array task ID runs `sweep run-task DIR offset+ID`. Slurm's
/// SIGTERM before a kill (scancel, preemption, time limit) reaches run-task itself (exec), which
/// stops after its batch and leaves the run resumable for the next submission.
std::string array_script(const fs::path& dir, const std::vector<int64_t>& ids, int64_t offset,
                         const std::string& after_job, const SlurmSettings& s, bool restart) {
  const std::string exe = fs::canonical("/proc/self/exe").string();
  std::ostringstream o;
  o << "#!/bin/bash\n"
    << "# Written by `denseshift sweep run --backend slurm` on " << utc_now("%Y-%m-%d %H:%M:%S UTC") << "\n"
    << "#SBATCH --job-name=denseshift-sweep\n"
    << "#SBATCH --array=" << index_ranges(ids) << (s.max_parallel > 0 ? "%" + std::to_string(s.max_parallel) : "")
    << "\n"
    << "#SBATCH --ntasks=1\n"
    << "#SBATCH --cpus-per-task=" << s.cpus_per_task << "\n"
    << "# Output: " << slurm_output_pattern(dir) << " (sbatch's --output, on its command line: a path may hold spaces)\n";
  if (!after_job.empty()) o << "#SBATCH --dependency=afterany:" << after_job << "\n";
  if (!s.partition.empty()) o << "#SBATCH --partition=" << s.partition << "\n";
  if (!s.time.empty()) o << "#SBATCH --time=" << s.time << "\n";
  if (!s.mem.empty()) o << "#SBATCH --mem=" << s.mem << "\n";
  o << "export OPENBLAS_NUM_THREADS=1\n";
  if (offset > 0) o << "# Array task ID + " << offset << " is the run index (ids stay below MaxArraySize).\n";
  o << "exec " << shell_quote(exe) << " sweep run-task " << shell_quote(dir.string()) << " "
    << (offset > 0 ? "\"$((" + std::to_string(offset) + " + SLURM_ARRAY_TASK_ID))\"" : "\"$SLURM_ARRAY_TASK_ID\"")
    << " --threads " << s.cpus_per_task << (restart ? " --restart" : "") << "\n";
  return o.str();
}

}  // namespace

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string index_ranges(const std::vector<int64_t>& indices) {
  std::string out;
  for (size_t i = 0; i < indices.size();) {
    size_t j = i;
    while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1) ++j;
    out += (out.empty() ? "" : ",") + std::to_string(indices[i]) + (j > i ? "-" + std::to_string(indices[j]) : "");
    i = j + 1;
  }
  return out;
}

void refuse_control_characters(const fs::path& dir) {
  for (const char c : dir.string()) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      throw InvalidArgument("--out '" + printable(dir.string()) + "' holds a control character (a line break?)");
    }
  }
}

// Apart: sbatch's job id is on stdout, its warnings on stderr.
Captured run_capture_apart(const std::vector<std::string>& args) {
  int out_fds[2], err_fds[2];
  if (::pipe(out_fds) != 0) throw Error(std::string("pipe: ") + std::strerror(errno));
  if (::pipe(err_fds) != 0) {
    ::close(out_fds[0]);
    ::close(out_fds[1]);
    throw Error(std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, out_fds[0]);
  posix_spawn_file_actions_addclose(&actions, err_fds[0]);
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_fds[1]);
  ::close(err_fds[1]);
  if (rc != 0) {
    ::close(out_fds[0]);
    ::close(err_fds[0]);
    return {127, "", args[0] + ": " + std::strerror(rc)};
  }
  Captured c;
  // Both pipes drained together (poll), so a child that fills one while we read the other never blocks.
  pollfd fds[2] = {{out_fds[0], POLLIN, 0}, {err_fds[0], POLLIN, 0}};
  std::string* into[2] = {&c.out, &c.err};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        into[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  c.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return c;
}

std::string parsable_job_id(const std::string& out) {
  std::string line = out;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' ')) line.pop_back();
  static const std::regex form("([0-9]+)(;[A-Za-z0-9_.-]+)?");
  std::smatch m;
  if (!std::regex_match(line, m, form)) return "";
  return m[1].str();
}

int64_t slurm_max_array_size() {
  const Captured c = run_capture_apart({"scontrol", "show", "config"});
  const int code = c.code;
  const std::string output = c.out + c.err;
  if (code == 0) {
    std::istringstream lines(output);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind("MaxArraySize", 0) != 0) continue;
      const size_t eq = line.find('=');
      if (eq == std::string::npos) break;
      try {
        const int64_t n = std::stoll(line.substr(eq + 1));
        if (n >= 1) return n;
      } catch (const std::exception&) {
      }
      break;
    }
  }
  return 1001;
}


std::string slurm_output_pattern(const fs::path& dir) { return (dir / "logs" / "slurm-%A_%a.out").string(); }

SlurmSettings slurm_settings_of(const Spec& spec) {
  SlurmSettings s;
  const json& j = spec.slurm;
  s.partition = j.value("partition", "");
  s.time = j.value("time", "");
  s.mem = j.value("mem", "");
  s.cpus_per_task = j.value("cpus_per_task", int64_t{1});
  s.max_parallel = j.value("max_parallel", int64_t{0});
  if (j.contains("sbatch_args")) s.sbatch_args = j["sbatch_args"].get<std::vector<std::string>>();
  return s;
}

void check_slurm_settings(const SlurmSettings& s) {
  if (!s.partition.empty()) check_slurm_value("--partition", s.partition);
  if (!s.time.empty()) check_slurm_value("--time", s.time);
  if (!s.mem.empty()) check_slurm_value("--mem", s.mem);
  if (s.cpus_per_task < 1) throw InvalidArgument("--cpus-per-task must be at least 1");
  if (s.max_parallel < 0) throw InvalidArgument("--max-parallel must be at least 1 (0: no limit)");
}

std::vector<SlurmArray> plan_slurm_arrays(const fs::path& dir, const std::vector<RunEntry>& queue,
                                          const SlurmSettings& s, bool restart, int64_t max_array_size) {
  // The folder is quoted in the script's command, but a control character (a line break) in it
  // would still end a comment line and start a command: refused.
  refuse_control_characters(dir);
  const int64_t block = std::max<int64_t>(1, max_array_size);
  std::vector<SlurmArray> arrays;
  for (const auto& r : queue) {
    const int64_t offset = (r.index / block) * block;
    if (arrays.empty() || arrays.back().offset != offset) {
      arrays.emplace_back();
      arrays.back().offset = offset;
    }
    arrays.back().indices.push_back(r.index);
  }
  for (size_t a = 0; a < arrays.size(); ++a) {
    std::vector<int64_t> ids;
    for (int64_t i : arrays[a].indices) ids.push_back(i - arrays[a].offset);
    // With a throttle, each array waits for the one before (its id is known once submitted).
    arrays[a].after = s.max_parallel > 0 && a > 0 ? "JOB_BEFORE" : "";
    arrays[a].script = array_script(dir, ids, arrays[a].offset, arrays[a].after, s, restart);
  }
  return arrays;
}

void submit_slurm_arrays(const fs::path& dir, std::vector<SlurmArray>& arrays, const SlurmSettings& s, bool restart,
                         std::string* warnings) {
  const fs::path absolute = fs::absolute(dir).lexically_normal();
  std::string previous_job;
  for (size_t a = 0; a < arrays.size(); ++a) {
    SlurmArray& array = arrays[a];
    if (!array.after.empty()) {  // the job submitted just before, now known
      std::vector<int64_t> ids;
      for (int64_t i : array.indices) ids.push_back(i - array.offset);
      array.after = previous_job;
      array.script = array_script(absolute, ids, array.offset, array.after, s, restart);
    }
    fs::create_directories(dir / "slurm");
    fs::create_directories(dir / "logs");
    const std::string stamp = utc_now("%Y%m%dT%H%M%SZ");
    const fs::path script_path =
        dir / "slurm" / ("array-" + stamp + "-" + std::to_string(::getpid()) + "-" + std::to_string(a) + ".sh");
    write_text_atomically(script_path, array.script);
    std::vector<std::string> args = {"sbatch", "--parsable", "--output=" + slurm_output_pattern(absolute)};
    for (const auto& arg : s.sbatch_args) args.push_back(arg);
    args.push_back(script_path.string());
    const Captured submitted = run_capture_apart(args);
    const int code = submitted.code;
    const std::string output = submitted.out + submitted.err;
    if (code != 0) {
      std::error_code ignored;
      fs::remove(script_path, ignored);  // never submitted: no script without its jobs.jsonl line
      const std::string earlier =
          a > 0 ? " (job arrays submitted before it: see " + (dir / "slurm" / "jobs.jsonl").string() + ")" : "";
      if (code == 127) {
        throw Error("cannot run sbatch (" + output +
                    "); --backend slurm needs a Slurm client on PATH "
                    "(scripts/slurm-local.sh starts a one-node Slurm for tests)" +
                    earlier);
      }
      throw Error("sbatch failed (exit " + std::to_string(code) + "): " + excerpt(output, 2000) + earlier);
    }
    const std::string job = parsable_job_id(submitted.out);
    if (job.empty()) {
      // Submitted (exit 0) but no id to record: the run tasks may be queued; say so, and keep the script.
      throw Error("sbatch exited 0 but printed no job id on stdout (stdout '" + printable(excerpt(submitted.out, 200)) +
                  "', stderr '" + printable(excerpt(submitted.err, 200)) + "'); check squeue before submitting again; "
                  "the batch script is " + script_path.string());
    }
    if (warnings && !submitted.err.empty()) *warnings += submitted.err;  // sbatch's own warnings
    json entry = {{"job", job},
                  {"indices", index_ranges(array.indices)},
                  {"runs", array.indices.size()},
                  {"script", script_path.filename().string()},
                  {"submitted_utc", utc_now("%Y-%m-%dT%H:%M:%SZ")}};
    if (array.offset > 0) entry["array_offset"] = array.offset;
    if (!array.after.empty()) entry["after"] = array.after;
    std::ofstream jobs(dir / "slurm" / "jobs.jsonl", std::ios::app);
    jobs << entry.dump() << "\n";
    array.job = job;
    array.script_path = script_path;
    previous_job = job;
  }
}

}  // namespace denseshift::sweep
