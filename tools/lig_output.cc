#include "tools/lig_output.h"

#include "absl/strings/str_format.h"

namespace lispmob::tools {

const char* action_name(uint8_t action) {
  switch (static_cast<lisp::MapReplyAction>(action)) {
    case lisp::MapReplyAction::kNoAction:
      return "no-action";
    case lisp::MapReplyAction::kNativelyForward:
      return "natively-forward";
    case lisp::MapReplyAction::kSendMapRequest:
      return "send-map-request";
    case lisp::MapReplyAction::kDrop:
      return "drop/no-reason";
    case lisp::MapReplyAction::kDropPolicyDenied:
      return "drop/policy-denied";
    case lisp::MapReplyAction::kDropAuthFailure:
      return "drop/auth-failure";
  }
  return "unassigned";
}

std::string mapping_entry(const std::string& asked_for, const lisp::MappingRecord& record) {
  // The TTL is in minutes (RFC 9301 §5.4); 0 means remove at once.
  std::string out = absl::StrFormat(
      "Mapping entry for EID %s:\n%s, via map-reply, record ttl: %d minute%s, %s, %s\n", asked_for,
      lisp::prefix_to_string(record.eid, record.eid_mask_len), record.ttl_minutes,
      record.ttl_minutes == 1 ? "" : "s", record.authoritative ? "auth" : "not auth",
      action_name(record.action));
  if (record.locators.empty()) return out + "  (negative mapping: no locators)\n";
  out += absl::StrFormat("  %-40s %-8s %s\n", "Locator", "State", "Priority/Weight");
  for (const auto& locator : record.locators) {
    std::string state = locator.reachable() ? "up" : "down";
    if (locator.local()) state += ", local";
    if (locator.probed()) state += ", probed";
    out += absl::StrFormat("  %-40s %-8s %d/%d\n", locator.address.to_string(), state,
                           locator.priority, locator.weight);
  }
  return out;
}

}  // namespace lispmob::tools
