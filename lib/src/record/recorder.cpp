#include "denseshift/record/recorder.h"

namespace denseshift::record {

void EpochTable::stop(RunStatus status, const std::string& message) {
  switch (status) {
    case RunStatus::completed: file_->set_status("completed"); break;
    case RunStatus::interrupted: file_->set_status("interrupted: " + message); break;
    case RunStatus::diverged: file_->set_status("stopped: " + message); break;
  }
}

}  // namespace denseshift::record
