/// All items of a paged ThingSpace listing, fetched page by page as the sequence is iterated
/// (nothing is requested before the first `next()`).
public struct Paginated<Element: Sendable>: AsyncSequence, Sendable {
    struct Page: Sendable {
        var items: [Element]
        var hasMore: Bool
        var cursor: String
    }

    let firstCursor: String
    let fetch: @Sendable (String) async throws -> Page

    init(firstCursor: String = "0", fetch: @escaping @Sendable (String) async throws -> Page) {
        self.firstCursor = firstCursor
        self.fetch = fetch
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(cursor: firstCursor, fetch: fetch)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var buffer: [Element] = []
        var index = 0
        var cursor: String
        var finished = false
        /// Thrown once the items already received have been handed out.
        var pendingError: ThingSpaceError?
        let fetch: @Sendable (String) async throws -> Page

        init(cursor: String, fetch: @escaping @Sendable (String) async throws -> Page) {
            self.cursor = cursor
            self.fetch = fetch
        }

        public mutating func next() async throws -> Element? {
            while index >= buffer.count {
                if let pendingError {
                    self.pendingError = nil
                    throw pendingError
                }
                if finished { return nil }
                let page = try await fetch(cursor)
                buffer = page.items
                index = 0
                if !page.hasMore {
                    finished = true
                } else if page.cursor == cursor || page.cursor == "0" {
                    // A cursor that does not move would page forever.
                    finished = true
                    pendingError = ThingSpaceError.unexpectedResponse(UnexpectedResponse(
                        method: "GET", path: "(page after \(cursor))", httpStatus: 200,
                        detail: "more pages announced but the cursor did not advance (\(page.cursor))"))
                }
                cursor = page.cursor
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
