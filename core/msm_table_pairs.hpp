// table_pairs_of<Table>(): the (state, event) pairs of a Boost.MSM functor-row
// transition table, with each pair's targets, for transition coverage
// (core/probes.hpp). REQUIRES: every source and target state has a
// `state_name` and every event a `name` (std::string_view constants); a
// submachine names the state it starts in, an exit pseudo state the state it
// leads to. Rows leaving a submachine's exit continue a row of the submachine's
// own table, so they are not pairs of their own.
// Included only by the machines' own .cpp files, after the MSM headers.
#pragma once

#include "core/probes.hpp"

#include <boost/mpl/for_each.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/type_traits/add_pointer.hpp>

#include <algorithm>
#include <string_view>
#include <type_traits>
#include <vector>

namespace clawnet {

template <class Table>
std::vector<coverage::TablePair> table_pairs_of() {
  std::vector<coverage::TablePair> pairs;
  boost::mpl::for_each<Table, boost::add_pointer<boost::mpl::placeholders::_1>>([&](auto* row) {
    using Row = std::remove_pointer_t<decltype(row)>;
    if constexpr (!requires { typename Row::Source::wrapped_exit; }) {
    const std::string_view state = Row::Source::state_name;
    const std::string_view event = Row::Evt::name;
    std::string_view target = "(none)";
    if constexpr (!std::is_same_v<typename Row::Target, boost::msm::front::none>) target = Row::Target::state_name;
    auto pair = std::find_if(pairs.begin(), pairs.end(),
                             [&](const coverage::TablePair& p) { return p.state == state && p.event == event; });
    if (pair == pairs.end()) pair = pairs.insert(pairs.end(), coverage::TablePair{state, event, {}});
    if (std::find(pair->targets.begin(), pair->targets.end(), target) == pair->targets.end()) {
      pair->targets.push_back(target);
    }
    }
  });
  return pairs;
}

}  // namespace clawnet
