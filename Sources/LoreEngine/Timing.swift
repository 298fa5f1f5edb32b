import Dispatch

/// Milliseconds between two points of the monotonic clock.
func milliseconds(from start: DispatchTime, to end: DispatchTime) -> Double {
    Double(end.uptimeNanoseconds &- start.uptimeNanoseconds) / 1e6
}

/// Milliseconds since `start`.
func milliseconds(since start: DispatchTime) -> Double {
    milliseconds(from: start, to: DispatchTime.now())
}
