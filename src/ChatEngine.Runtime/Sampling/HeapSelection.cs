namespace ChatEngine.Runtime.Sampling;

/// <summary>
/// In-place partial sorting without allocation: moves the <c>k</c> top-ranked items to the front of a span,
/// in rank order. Cost O(n log k): a bounded heap of the best k is kept in the first k slots while the rest is
/// scanned, and most items are rejected with a single comparison against the heap root.
/// </summary>
public static class HeapSelection
{
    /// <summary>Reorders <paramref name="items"/> so that its first <paramref name="k"/> entries are the k
    /// top-ranked items under <paramref name="order"/>, sorted; the order of the remaining items is unspecified.</summary>
    public static void SelectTop<T, TOrder>(Span<T> items, int k, TOrder order)
        where TOrder : struct, IRankOrder<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        k = Math.Min(k, items.Length);
        if (k == 0) return;

        // The heap's root is its worst-ranked member, so a new item enters only if it outranks the root.
        var heap = items[..k];
        for (int i = k / 2 - 1; i >= 0; i--) SiftDown(heap, i, order);

        for (int i = k; i < items.Length; i++)
        {
            if (order.Precedes(items[i], heap[0]))
            {
                (items[i], heap[0]) = (heap[0], items[i]);
                SiftDown(heap, 0, order);
            }
        }

        // Heap sort: repeatedly moving the worst to the end leaves the best-ranked item at index 0.
        for (int end = k - 1; end > 0; end--)
        {
            (heap[0], heap[end]) = (heap[end], heap[0]);
            SiftDown(heap[..end], 0, order);
        }
    }

    /// <summary>Sorts the whole span in rank order.</summary>
    public static void Sort<T, TOrder>(Span<T> items, TOrder order)
        where TOrder : struct, IRankOrder<T> => SelectTop(items, items.Length, order);

    // Heap property: every parent ranks at or below its children, so the root is the worst-ranked member.
    private static void SiftDown<T, TOrder>(Span<T> heap, int index, TOrder order)
        where TOrder : struct, IRankOrder<T>
    {
        var item = heap[index];
        int n = heap.Length;
        while (true)
        {
            int child = 2 * index + 1;
            if (child >= n) break;
            if (child + 1 < n && order.Precedes(heap[child], heap[child + 1])) child++;
            if (!order.Precedes(item, heap[child])) break;
            heap[index] = heap[child];
            index = child;
        }
        heap[index] = item;
    }
}
