/// Client.CreateProxy (0x000400 / 0x000401): name and service name, empty response.
package enum ClientCreateProxyCodec {
    package static let requestType: Int32 = 0x000400
    package static let responseType: Int32 = 0x000401
    /// The service name of IMap proxies.
    package static let mapService = "hz:impl:mapService"

    package static func encodeRequest(name: String, serviceName: String) -> ClientMessage {
        var message = ClientMessage.request(type: requestType)
        StringCodec.encode(name, into: &message)
        StringCodec.encode(serviceName, into: &message)
        return message.finished()
    }

    package static func decodeRequest(_ message: ClientMessage) throws(HazelcastError) -> (name: String, serviceName: String) {
        var iterator = message.iterator(what: "Client.CreateProxy request")
        _ = try iterator.next()
        return (try StringCodec.decode(&iterator), try StringCodec.decode(&iterator))
    }

    package static func encodeResponse(correlationId: Int64) -> ClientMessage {
        ClientMessage.response(type: responseType, correlationId: correlationId).finished()
    }
}
