// make_transport: the Transport that broker.kind names (prod/transport.hpp), for
// one daemon's role. MQTT unless broker.kind = pubnub.
// Throws std::runtime_error when the transport cannot be set up (a bad
// pubnub.ca_file); the daemons' mains report it and exit.
#pragma once

#include "prod/config.hpp"
#include "prod/transport.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>

namespace clawnet::prod {

std::unique_ptr<Transport> make_transport(boost::asio::io_context& io, const Config& config, TransportRole role,
                                          TransportCallbacks callbacks);

}  // namespace clawnet::prod
