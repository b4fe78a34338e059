using System.Text.Json;
using Larder.Server.Errors;
using Larder.Server.Listings;
using Larder.Server.Metadata;

namespace Larder.Server.Ui;

/// <summary>
/// A path's <c>.ls</c> listing (Nix's JSON: <c>{"version":1,"root":{"type":"directory","entries":{…}}}</c>) as nested
/// <c>&lt;details&gt;</c> elements, which open and close without JavaScript and from the keyboard. Large listings are
/// cut: at most <see cref="MaxEntries"/> entries, from a listing of at most <see cref="MaxListingBytes"/>.
/// </summary>
internal static class ListingTree
{
    public const int MaxEntries = 2000;
    public const long MaxListingBytes = 8L << 20;

    public static async Task AppendAsync(UiPage page, NarListings listings, NarRecord nar, CancellationToken cancellationToken)
    {
        NarListingBody? body;
        try
        {
            body = await listings.OpenAsync(nar, cancellationToken).ConfigureAwait(false);
        }
        catch (LarderException e) when (e.Kind == ErrorKind.StorageFault)
        {
            page.Html($"<p>The listing cannot be read from storage: {UiPage.Text(e.Message)}</p>");
            return;
        }
        if (body is null)
        {
            page.Html("<p>No listing was stored with this path.</p>");
            return;
        }
        if (body.Length > MaxListingBytes)
        {
            page.Html($"<p>The listing is too large to show here ({UiFormat.Bytes(body.Length)}); download <code>.ls</code> from the cache instead.</p>");
            return;
        }
        var stream = await body.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            JsonDocument listing;
            try
            {
                listing = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException)
            {
                page.Html("<p>The stored listing is not valid JSON.</p>");
                return;
            }
            using (listing)
            {
                if (!listing.RootElement.TryGetProperty("root", out var root))
                {
                    page.Html("<p>The stored listing has no root.</p>");
                    return;
                }
                int budget = MaxEntries;
                page.Html("<ul class=\"files\">");
                AppendEntry(page, "/", root, ref budget, open: true);
                page.Html("</ul>");
                if (budget <= 0)
                {
                    page.Html($"<p>Only the first {MaxEntries} entries are shown.</p>");
                }
            }
        }
    }

    private static void AppendEntry(UiPage page, string name, JsonElement entry, ref int budget, bool open = false)
    {
        budget--;
        var type = entry.TryGetProperty("type", out var t) ? t.GetString() : null;
        var label = UiPage.Text(name);
        switch (type)
        {
            case "directory":
                page.Html($"<li><details{(open ? " open" : "")}><summary>{label}{(name == "/" ? "" : "/")}</summary><ul>");
                if (entry.TryGetProperty("entries", out var entries) && entries.ValueKind == JsonValueKind.Object)
                {
                    foreach (var child in entries.EnumerateObject())
                    {
                        if (budget <= 0)
                        {
                            break;
                        }
                        AppendEntry(page, child.Name, child.Value, ref budget);
                    }
                }
                page.Html("</ul></details></li>");
                break;
            case "symlink":
                var target = entry.TryGetProperty("target", out var to) ? to.GetString() : "";
                page.Html($"<li>{label} → <code>{UiPage.Text(target)}</code></li>");
                break;
            default:
                var size = entry.TryGetProperty("size", out var s) && s.TryGetInt64(out var bytes) ? UiFormat.Bytes(bytes) : "";
                var executable = entry.TryGetProperty("executable", out var x) && x.ValueKind == JsonValueKind.True ? ", executable" : "";
                page.Html($"<li>{label} <small>({size}{executable})</small></li>");
                break;
        }
    }
}
