// The scaffolding both Boost.MSM machines share, so each machine's .cpp holds only
// its table, its states' entry and exit work, and its bookkeeping (docs/kernel.md).
//
//   State<name, Flags...>  a state that names itself: the table's coverage pairs and
//                          the machine's state_name() speak of it by that name.
//   Call<&Impl::method>    the one action idiom: calls method on the machine's Impl
//                          with the event, its time, or nothing, whichever it takes.
//   When<&Impl::method>    the one guard idiom, the same way; Unless<> negates it.
//   Then<A, B, ...>        actions in sequence (MSM's ActionSequence_).
//   MachineDef<Front, Impl> the front-end base: no exceptions, the Impl pointer
//                          actions use, and unhandled events passed to
//                          Impl::unhandled(event) (machines count them, never assert).
//                          A machine without submachine exits also says
//                          `using no_message_queue = int;` (an exit forwards its
//                          event to the outer machine, which must queue it until
//                          the inner transition is done).
//   TimerTable<Timer>      (timer_table.hpp) one deadline per timer of a closed enum;
//                          its next() is the machine's next_deadline().
//   dispatch()             feeds one event, counts guard rejections, records the pair.
//
// Included only by the machines' own .cpp files: each instantiates its MSM once.
// The MPL container limits are set for the whole core library in core/CMakeLists.txt,
// so boost::mpl::vector means one thing in every translation unit.
#pragma once

#include "core/probes.hpp"
#include "core/time.hpp"
#include "core/timer_table.hpp"

#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>

#include <cstdint>
#include <functional>
#include <string_view>
#include <type_traits>

namespace clawnet::kernel {

namespace msm = boost::msm;
namespace mpl = boost::mpl;

// A state that records its name in the machine's Impl on entry. States with entry
// work define their own on_entry and call State::on_entry first.
template <const char* name, class... Flags>
struct State : msm::front::state<> {
  static constexpr std::string_view state_name = name;
  using flag_list = mpl::vector<Flags...>;
  template <class Event, class Fsm>
  void on_entry(const Event&, Fsm& fsm) {
    fsm.impl->state = state_name;
  }
};

// Calls `method` on `impl` with whatever of (event, event time, nothing) it takes.
template <auto method, class Impl, class Event>
decltype(auto) call_with_event(Impl& impl, const Event& event) {
  if constexpr (std::is_invocable_v<decltype(method), Impl&, const Event&>) {
    return std::invoke(method, impl, event);
  } else if constexpr (std::is_invocable_v<decltype(method), Impl&, TimeMs>) {
    return std::invoke(method, impl, event.now_ms);
  } else {
    return std::invoke(method, impl);
  }
}

template <auto method>
struct Call {
  template <class Event, class Fsm, class Source, class Target>
  void operator()(const Event& event, Fsm& fsm, Source&, Target&) const {
    call_with_event<method>(*fsm.impl, event);
  }
};

template <auto predicate>
struct When {
  template <class Event, class Fsm, class Source, class Target>
  bool operator()(const Event& event, Fsm& fsm, Source&, Target&) const {
    return call_with_event<predicate>(std::as_const(*fsm.impl), event);
  }
};

template <class Guard>
struct Unless {
  template <class Event, class Fsm, class Source, class Target>
  bool operator()(const Event& event, Fsm& fsm, Source& source, Target& target) const {
    return !Guard{}(event, fsm, source, target);
  }
};

template <class... Actions>
using Then = msm::front::ActionSequence_<mpl::vector<Actions...>>;

template <class Front, class Impl>
struct MachineDef : msm::front::state_machine_def<Front> {
  using no_exception_thrown = int;

  template <class Fsm, class Event>
  void no_transition(const Event& event, Fsm& fsm, int) {
    fsm.impl->unhandled(event);
  }

  Impl* impl = nullptr;
};

// Feeds `event` to `machine`. An event no row takes reaches Impl::unhandled (via
// no_transition); one whose rows' guards all refuse is counted in `rejected_events`.
template <class Machine, class Event>
void dispatch(Machine& machine, const Event& event, coverage::MachineKind kind, std::string_view state_before,
              std::uint64_t& rejected_events) {
  const msm::back::HandledEnum handled = machine.process_event(event);
  if (handled == msm::back::HANDLED_GUARD_REJECT) rejected_events += 1;
  if (handled == msm::back::HANDLED_TRUE && coverage::recording()) coverage::took(kind, state_before, Event::name);
}

}  // namespace clawnet::kernel
