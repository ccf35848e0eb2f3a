#include "prod/make_transport.hpp"

#include "prod/mqtt_link.hpp"
#include "prod/pubnub_link.hpp"

namespace clawnet::prod {

std::unique_ptr<Transport> make_transport(boost::asio::io_context& io, const Config& config, TransportRole role,
                                          TransportCallbacks callbacks) {
  switch (config.broker.kind) {
    case TransportKind::pubnub: return std::make_unique<PubnubLink>(io, config.pubnub, role, std::move(callbacks));
    case TransportKind::mqtt: break;
  }
  return std::make_unique<MqttLink>(io, config.broker, role, std::move(callbacks));
}

}  // namespace clawnet::prod
