// AbiSymbols.cpp — see AbiSymbols.h. One line per function of Abi.h; a missing line makes the
// JIT fail to link a pipeline that calls it, with the function's name in the error.
#include "mx/rt/AbiSymbols.h"

#include "mx/rt/Abi.h"

namespace mx::rt {

std::vector<std::pair<std::string, void*>> abiSymbols() {
  return {
      {"mx_rt_append", reinterpret_cast<void*>(&mx_rt_append)},
      {"mx_rt_await", reinterpret_cast<void*>(&mx_rt_await)},
      {"mx_rt_await_call", reinterpret_cast<void*>(&mx_rt_await_call)},
      {"mx_rt_await_result", reinterpret_cast<void*>(&mx_rt_await_result)},
      {"mx_rt_binary", reinterpret_cast<void*>(&mx_rt_binary)},
      {"mx_rt_builtin", reinterpret_cast<void*>(&mx_rt_builtin)},
      {"mx_rt_clear", reinterpret_cast<void*>(&mx_rt_clear)},
      {"mx_rt_clear_array", reinterpret_cast<void*>(&mx_rt_clear_array)},
      {"mx_rt_concat", reinterpret_cast<void*>(&mx_rt_concat)},
      {"mx_rt_const_str", reinterpret_cast<void*>(&mx_rt_const_str)},
      {"mx_rt_convert", reinterpret_cast<void*>(&mx_rt_convert)},
      {"mx_rt_copy", reinterpret_cast<void*>(&mx_rt_copy)},
      {"mx_rt_emit", reinterpret_cast<void*>(&mx_rt_emit)},
      {"mx_rt_enter", reinterpret_cast<void*>(&mx_rt_enter)},
      {"mx_rt_leave", reinterpret_cast<void*>(&mx_rt_leave)},
      {"mx_rt_extend", reinterpret_cast<void*>(&mx_rt_extend)},
      {"mx_rt_fail", reinterpret_cast<void*>(&mx_rt_fail)},
      {"mx_rt_field_get", reinterpret_cast<void*>(&mx_rt_field_get)},
      {"mx_rt_field_set", reinterpret_cast<void*>(&mx_rt_field_set)},
      {"mx_rt_goto", reinterpret_cast<void*>(&mx_rt_goto)},
      {"mx_rt_index_get", reinterpret_cast<void*>(&mx_rt_index_get)},
      {"mx_rt_index_set", reinterpret_cast<void*>(&mx_rt_index_set)},
      {"mx_rt_iter_next", reinterpret_cast<void*>(&mx_rt_iter_next)},
      {"mx_rt_json_member", reinterpret_cast<void*>(&mx_rt_json_member)},
      {"mx_rt_json_index", reinterpret_cast<void*>(&mx_rt_json_index)},
      {"mx_rt_len", reinterpret_cast<void*>(&mx_rt_len)},
      {"mx_rt_loop_bound", reinterpret_cast<void*>(&mx_rt_loop_bound)},
      {"mx_rt_make_list", reinterpret_cast<void*>(&mx_rt_make_list)},
      {"mx_rt_make_map", reinterpret_cast<void*>(&mx_rt_make_map)},
      {"mx_rt_make_record", reinterpret_cast<void*>(&mx_rt_make_record)},
      {"mx_rt_move", reinterpret_cast<void*>(&mx_rt_move)},
      {"mx_rt_set_bool", reinterpret_cast<void*>(&mx_rt_set_bool)},
      {"mx_rt_set_float", reinterpret_cast<void*>(&mx_rt_set_float)},
      {"mx_rt_set_int", reinterpret_cast<void*>(&mx_rt_set_int)},
      {"mx_rt_truthy", reinterpret_cast<void*>(&mx_rt_truthy)},
      {"mx_rt_unary", reinterpret_cast<void*>(&mx_rt_unary)},
  };
}

}  // namespace mx::rt
