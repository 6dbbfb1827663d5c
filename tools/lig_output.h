// What lig prints for a Map-Reply, in RFC 6835's form (§4 "lig Output"):
// the mapping entry with its record TTL and unit, its auth bit and action,
// then one line per locator with its state and priority/weight.
#pragma once

#include <string>

#include "common/lisp/mapping_record.h"

namespace lispmob::tools {

// RFC 9301 §5.4's name for a record's ACT field ("drop/policy-denied").
const char* action_name(uint8_t action);

// "Mapping entry for EID 10.1.0.5:" and what follows, for one record.
std::string mapping_entry(const std::string& asked_for, const lisp::MappingRecord& record);

}  // namespace lispmob::tools
