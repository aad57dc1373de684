import OBFHTTP
import ServiceLifecycle

/// The API's HTTP server and the probe port's, as one service: binds both, says which ports it
/// bound, serves until the graceful shutdown, then stops accepting and finishes what is in flight.
struct APIListener: Service, CustomStringConvertible {
    /// The ports bound: the API's, and the probe's when there is one.
    struct Ports: Sendable {
        var api: Int
        var probe: Int?
    }

    let server: HTTPServer
    let probeServer: HTTPServer?
    /// Told the bound ports once both listen, or the error that stopped them.
    let bound: Promise<Ports>
    let stopping: @Sendable () -> Void
    var description: String { "APIListener" }

    func run() async throws {
        let ports: Ports
        do {
            let api = try server.start()
            do {
                ports = Ports(api: api, probe: try probeServer?.start())
            } catch {
                await server.shutdown()
                throw error
            }
        } catch {
            bound.settle(.failure(error))
            throw error
        }
        bound.settle(.success(ports))
        try? await gracefulShutdown()
        stopping()
        await server.shutdown()
        await probeServer?.shutdown()
    }
}
