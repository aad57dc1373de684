/// A bidirectional byte stream a connection runs over: plain TCP (`TCPStream`) or TLS
/// (`TLSStream`), without the protocol code knowing which.
package protocol ByteStream: Sendable {
    /// Blocks until some bytes arrive; returns how many were read, 0 at end of stream.
    /// Only the connection's reader thread calls it.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(HazelcastError) -> Int
    /// Writes every byte, or throws. Safe to call from several threads at once.
    func write(_ bytes: [UInt8]) throws(HazelcastError)
    /// Stops all I/O and wakes a blocked `read`; safe from any thread and more than once.
    func shutdown()
    /// Releases the stream; called once by the reader thread after its last `read`.
    func close()
}
