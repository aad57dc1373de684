import CSystemShims
#if canImport(Glibc)
import Glibc
#endif

/// A level-triggered epoll instance; `data` of each registration is the descriptor.
struct Epoll {
    static let readable = obf_epollin()
    static let writable = obf_epollout()
    static let error = obf_epollerr()
    static let hangUp = obf_epollhup()

    let fd: Int32

    static func make() throws -> Epoll {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw HTTPServerSetupError.fromErrno("epoll_create1") }
        return Epoll(fd: fd)
    }

    @discardableResult
    func add(_ target: Int32, events: UInt32, token: UInt64? = nil) -> Bool {
        control(EPOLL_CTL_ADD, target, events, token)
    }

    @discardableResult
    func modify(_ target: Int32, events: UInt32, token: UInt64? = nil) -> Bool {
        control(EPOLL_CTL_MOD, target, events, token)
    }

    @discardableResult
    func remove(_ target: Int32) -> Bool {
        control(EPOLL_CTL_DEL, target, 0, nil)
    }

    /// `token` defaults to the descriptor itself.
    private func control(_ operation: Int32, _ target: Int32, _ events: UInt32, _ token: UInt64?) -> Bool {
        var event = epoll_event()
        event.events = events
        event.data.u64 = token ?? UInt64(UInt32(bitPattern: target))
        return epoll_ctl(fd, operation, target, &event) == 0
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever); returns the number of events, 0 on EINTR.
    func wait(into events: UnsafeMutableBufferPointer<epoll_event>, timeoutMilliseconds: Int32) -> Int {
        let count = epoll_wait(fd, events.baseAddress, Int32(events.count), timeoutMilliseconds)
        return count < 0 ? 0 : Int(count)
    }
}
