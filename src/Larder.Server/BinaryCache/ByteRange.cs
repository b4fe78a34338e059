using Microsoft.Net.Http.Headers;

namespace Larder.Server.BinaryCache;

/// <summary>An inclusive byte range of a representation, as resolved from a <c>Range</c> header.</summary>
internal readonly record struct ByteRange(long From, long To)
{
    public long Length => To - From + 1;

    /// <summary>
    /// Resolves the request's <c>Range</c> header against <paramref name="total"/> bytes. Returns false with
    /// <paramref name="unsatisfiable"/> set when the range lies outside the representation (416). A missing,
    /// malformed or multi-range header means the whole representation (null), which RFC 9110 allows.
    /// </summary>
    public static bool TryResolve(string? header, long total, out ByteRange? range, out bool unsatisfiable)
    {
        range = null;
        unsatisfiable = false;
        if (string.IsNullOrEmpty(header) || !RangeHeaderValue.TryParse(header, out var parsed) ||
            !string.Equals(parsed.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase) || parsed.Ranges.Count != 1)
        {
            return true;
        }
        var item = parsed.Ranges.First();
        long from, to;
        if (item.From is { } start)
        {
            from = start;
            to = item.To is { } end ? Math.Min(end, total - 1) : total - 1;
        }
        else if (item.To is { } suffix && suffix > 0)
        {
            from = Math.Max(0, total - suffix);
            to = total - 1;
        }
        else
        {
            unsatisfiable = true;
            return false;
        }
        if (from >= total || from > to)
        {
            unsatisfiable = true;
            return false;
        }
        range = new ByteRange(from, to);
        return true;
    }
}
