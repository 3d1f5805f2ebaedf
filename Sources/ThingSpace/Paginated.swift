/// Where a walk through a paged ThingSpace listing stands: the cursor to ask for next, and the
/// guard against a cursor that does not move. A page that announces more data but gives a cursor
/// of 0, none, or one already used would page forever (and repeat items), so the walk ends there
/// with an error, after the items already received have been handed out.
///
/// This is the one paging implementation: `Paginated` (Swift) and the Lua iterators
/// `fota.devices`/`fota.upgrades` (through the host) both drive a `PageWalk`.
public struct PageWalk: Sendable {
    private var cursor: String?
    private var used: Set<String> = []
    private var pendingError: ThingSpaceError?
    /// Names the listing in the error, e.g. "device list".
    private let listing: String

    public init(listing: String, firstCursor: String = "0") {
        self.listing = listing
        cursor = firstCursor
    }

    /// The cursor for the next request, or nil when the walk is over. Throws the guard's error
    /// (once) when the previous page's cursor did not move.
    public mutating func nextCursor() throws(ThingSpaceError) -> String? {
        if let pendingError {
            self.pendingError = nil
            throw pendingError
        }
        return cursor
    }

    /// Records the answer to the request made with the current cursor.
    public mutating func accept(hasMore: Bool, next: String) {
        guard let current = cursor else { return }
        used.insert(current)
        guard hasMore else {
            cursor = nil
            return
        }
        if next == "0" || next.isEmpty || used.contains(next) {
            cursor = nil
            let what = next == "0" || next.isEmpty ? "no cursor (0)" : "cursor \(next), which was already used"
            pendingError = .unexpectedResponse(UnexpectedResponse(
                method: "GET", path: "(\(listing) page after \(current))", httpStatus: 200,
                detail: "more pages announced but \(what) came with them; stopped so as not to page forever"))
        } else {
            cursor = next
        }
    }

    /// True once no further page will be requested.
    public var isFinished: Bool { cursor == nil && pendingError == nil }
}

/// All items of a paged ThingSpace listing, fetched page by page as the sequence is iterated
/// (nothing is requested before the first `next()`).
public struct Paginated<Element: Sendable>: AsyncSequence, Sendable {
    struct Page: Sendable {
        var items: [Element]
        var hasMore: Bool
        var cursor: String
    }

    let listing: String
    let fetch: @Sendable (String) async throws -> Page

    init(listing: String, fetch: @escaping @Sendable (String) async throws -> Page) {
        self.listing = listing
        self.fetch = fetch
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(walk: PageWalk(listing: listing), fetch: fetch)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var buffer: [Element] = []
        var index = 0
        var walk: PageWalk
        let fetch: @Sendable (String) async throws -> Page

        init(walk: PageWalk, fetch: @escaping @Sendable (String) async throws -> Page) {
            self.walk = walk
            self.fetch = fetch
        }

        public mutating func next() async throws -> Element? {
            while index >= buffer.count {
                guard let cursor = try walk.nextCursor() else { return nil }
                let page = try await fetch(cursor)
                buffer = page.items
                index = 0
                walk.accept(hasMore: page.hasMore, next: page.cursor)
            }
            defer { index += 1 }
            return buffer[index]
        }
    }

    /// Collects every item (convenience for small listings).
    public func collect() async throws -> [Element] {
        var items: [Element] = []
        for try await item in self { items.append(item) }
        return items
    }
}
