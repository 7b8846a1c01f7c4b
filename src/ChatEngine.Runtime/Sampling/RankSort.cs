using System.Numerics;

namespace ChatEngine.Runtime.Sampling;

/// <summary>
/// Allocation-free ranking of spans under an <see cref="IRankOrder{T}"/>. <see cref="SelectTop"/> moves the k
/// top-ranked items to the front in rank order: for small k with a bounded heap kept in the first k slots, O(n log k)
/// with most items rejected by one comparison against the heap's worst member; for k close to n with an introsort.
/// </summary>
public static class RankSort
{
    private const int InsertionSortThreshold = 16;

    /// <summary>Reorders <paramref name="items"/> so that its first <paramref name="k"/> entries are the k
    /// top-ranked items, sorted; the order of the remaining items is unspecified.</summary>
    public static void SelectTop<T, TOrder>(Span<T> items, int k, TOrder order)
        where TOrder : struct, IRankOrder<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        k = Math.Min(k, items.Length);
        if (k == 0) return;
        if (k > items.Length / 8)
        {
            Sort(items, order);
            return;
        }

        // The heap's root is its worst-ranked member, so a new item enters only if it outranks the root.
        var heap = items[..k];
        for (int i = k / 2 - 1; i >= 0; i--) SiftDown(heap, i, order);

        var worstKept = heap[0];
        for (int i = k; i < items.Length; i++)
        {
            if (order.Precedes(items[i], worstKept))
            {
                (items[i], heap[0]) = (heap[0], items[i]);
                SiftDown(heap, 0, order);
                worstKept = heap[0];
            }
        }
        HeapSortInPlace(heap, order);
    }

    /// <summary>Sorts the whole span in rank order (introsort: quicksort, heap sort past a depth limit,
    /// insertion sort for short ranges).</summary>
    public static void Sort<T, TOrder>(Span<T> items, TOrder order)
        where TOrder : struct, IRankOrder<T>
    {
        if (items.Length < 2) return;
        IntroSort(items, 2 * BitOperations.Log2((uint)items.Length), order);
    }

    private static void IntroSort<T, TOrder>(Span<T> items, int depthLimit, TOrder order)
        where TOrder : struct, IRankOrder<T>
    {
        while (items.Length > InsertionSortThreshold)
        {
            if (depthLimit-- == 0)
            {
                BuildHeap(items, order);
                HeapSortInPlace(items, order);
                return;
            }
            int split = Partition(items, order);
            // Recurse into the smaller side, loop on the larger: stack depth stays O(log n).
            if (split < items.Length - split)
            {
                IntroSort(items[..split], depthLimit, order);
                items = items[(split + 1)..];
            }
            else
            {
                IntroSort(items[(split + 1)..], depthLimit, order);
                items = items[..split];
            }
        }
        InsertionSort(items, order);
    }

    // Median-of-three pivot moved to the end, Lomuto-style sweep; returns the pivot's final index.
    private static int Partition<T, TOrder>(Span<T> items, TOrder order)
        where TOrder : struct, IRankOrder<T>
    {
        int last = items.Length - 1, middle = last / 2;
        if (order.Precedes(items[middle], items[0])) (items[middle], items[0]) = (items[0], items[middle]);
        if (order.Precedes(items[last], items[0])) (items[last], items[0]) = (items[0], items[last]);
        if (order.Precedes(items[middle], items[last])) (items[middle], items[last]) = (items[last], items[middle]);
        var pivot = items[last];

        int store = 0;
        for (int i = 0; i < last; i++)
        {
            if (order.Precedes(items[i], pivot))
            {
                (items[i], items[store]) = (items[store], items[i]);
                store++;
            }
        }
        (items[store], items[last]) = (items[last], items[store]);
        return store;
    }

    private static void InsertionSort<T, TOrder>(Span<T> items, TOrder order)
        where TOrder : struct, IRankOrder<T>
    {
        for (int i = 1; i < items.Length; i++)
        {
            var item = items[i];
            int j = i - 1;
            while (j >= 0 && order.Precedes(item, items[j]))
            {
                items[j + 1] = items[j];
                j--;
            }
            items[j + 1] = item;
        }
    }

    private static void BuildHeap<T, TOrder>(Span<T> heap, TOrder order)
        where TOrder : struct, IRankOrder<T>
    {
        for (int i = heap.Length / 2 - 1; i >= 0; i--) SiftDown(heap, i, order);
    }

    // Repeatedly moving the heap's worst member to the end leaves the best-ranked item at index 0.
    private static void HeapSortInPlace<T, TOrder>(Span<T> heap, TOrder order)
        where TOrder : struct, IRankOrder<T>
    {
        for (int end = heap.Length - 1; end > 0; end--)
        {
            (heap[0], heap[end]) = (heap[end], heap[0]);
            SiftDown(heap[..end], 0, order);
        }
    }

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
