// lig's mapping entry, as RFC 6835 prints one: golden text for a positive
// record with two locators and for a negative one.
#include "tools/lig_output.h"

#include <gtest/gtest.h>

namespace lispmob::tools {
namespace {

TEST(LigOutput, APositiveRecordWithItsLocators) {
  lisp::MappingRecord record;
  record.ttl_minutes = 10;
  record.eid_mask_len = 24;
  record.authoritative = true;
  record.eid = lisp::Address(*net::IpAddress::parse("10.1.0.0"));
  lisp::Locator up;
  up.address = lisp::Address(*net::IpAddress::parse("192.0.2.5"));
  up.flags = lisp::Locator::kReachable | lisp::Locator::kLocal;
  lisp::Locator down;
  down.address = lisp::Address(*net::IpAddress::parse("2001:db8::5"));
  down.priority = 2;
  down.weight = 50;
  down.flags = 0;
  record.locators = {up, down};
  EXPECT_EQ(mapping_entry("10.1.0.5", record),
            "Mapping entry for EID 10.1.0.5:\n"
            "10.1.0.0/24, via map-reply, record ttl: 10 minutes, auth, no-action\n"
            "  Locator                                  State    Priority/Weight\n"
            "  192.0.2.5                                up, local 1/100\n"
            "  2001:db8::5                              down     2/50\n");
}

TEST(LigOutput, ANegativeRecordNamesItsAction) {
  lisp::MappingRecord record;
  record.ttl_minutes = 1;
  record.eid_mask_len = 24;
  record.action = static_cast<uint8_t>(lisp::MapReplyAction::kDrop);
  record.eid = lisp::Address(*net::IpAddress::parse("203.0.113.0"));
  EXPECT_EQ(mapping_entry("203.0.113.7", record),
            "Mapping entry for EID 203.0.113.7:\n"
            "203.0.113.0/24, via map-reply, record ttl: 1 minute, not auth, drop/no-reason\n"
            "  (negative mapping: no locators)\n");
  EXPECT_STREQ(action_name(1), "natively-forward");
  EXPECT_STREQ(action_name(7), "unassigned");
}

}  // namespace
}  // namespace lispmob::tools
