// A qemu TCG plugin (QEMU 7.2 plugin API, version 1) that counts the guest
// instructions a program executes and prints the total to stderr at exit:
//   qemu-aarch64 -L /usr/aarch64-linux-gnu -plugin ./libdenseshift_insn_count.so prog ...
// Debian ships qemu's plugin interface without its header or plugins, so the few
// entry points used are declared here (C ABI, as the API documents them).
// Counting is per translation block, added inline when the block runs; a block
// left early by an exception counts whole, which kernel loops do not do.
#include <cinttypes>
#include <cstddef>
#include <cstdint>
#include <cstdio>

extern "C" {
typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_info_t;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 = 0 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb* tb);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void* userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb* tb, enum qemu_plugin_op op, void* ptr,
                                              uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb* tb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void* userdata);

__attribute__((visibility("default"))) extern const int qemu_plugin_version;
__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t* info,
                                                               int argc, char** argv);
}

const int qemu_plugin_version = 1;

namespace {

uint64_t instructions = 0;  // the guest programs measured are single-threaded

void on_translate(qemu_plugin_id_t, struct qemu_plugin_tb* tb) {
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &instructions, qemu_plugin_tb_n_insns(tb));
}

void on_exit(qemu_plugin_id_t, void*) { std::fprintf(stderr, "guest instructions: %" PRIu64 "\n", instructions); }

}  // namespace

int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t*, int, char**) {
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, on_exit, nullptr);
  return 0;
}
