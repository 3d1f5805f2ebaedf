import Hummingbird
import NIOCore

/// Request context that keeps the channel, so a fault can drop the connection without answering.
struct SimRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
