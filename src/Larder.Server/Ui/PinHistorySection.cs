using Larder.Nix.Store;
using Larder.Server.Metadata;

namespace Larder.Server.Ui;

/// <summary>The cache page's pins: the newest revisions of all its pins, with who set them and whether they still protect their closure.</summary>
internal static class PinHistorySection
{
    /// <summary>How many revisions the section lists.</summary>
    public const int Limit = 20;

    public static string Render(CacheRecord cache, IReadOnlyList<PinHistoryEntry> history)
    {
        var html = new System.Text.StringBuilder("""<section aria-labelledby="pins"><h2 id="pins">Pins and their history</h2>""");
        if (history.Count == 0)
        {
            return html.Append("<p>No pins. <code>larder pin set</code> names a store path whose closure retention keeps.</p></section>").ToString();
        }
        html.Append($"""
            <table id="pin-history"><caption>The newest {Limit} pin revisions, newest first</caption><thead><tr><th scope="col">Pin</th><th scope="col">Revision</th>
            <th scope="col">Store path</th><th scope="col">Set</th><th scope="col">By</th><th scope="col">State</th></tr></thead><tbody>
            """);
        foreach (var (pin, revision) in history)
        {
            var baseName = revision.StorePath[(revision.StorePath.LastIndexOf('/') + 1)..];
            var path = baseName.Length > StorePath.HashPartLength && StorePath.IsValidHashPart(baseName[..StorePath.HashPartLength])
                ? $"""<a href="{PathPages.PathUrl(cache, baseName[..StorePath.HashPartLength])}">{UiPage.Text(revision.StorePath)}</a>"""
                : UiPage.Text(revision.StorePath);
            var state = revision.SupersededAt is null ? "current"
                : revision.ReleasedAt is { } released ? $"released {UiFormat.Time(released)}"
                : "kept by the pin's rule";
            var by = revision.TokenDescription ?? (revision.TokenId is { } id ? $"token {id}" : "-");
            var note = revision.Note is null ? "" : $" ({UiPage.Text(revision.Note)})";
            html.Append($"""
                <tr><td>{UiPage.Text(pin)}</td><td>{revision.Number}</td><td>{path}{note}</td><td>{UiFormat.Time(revision.CreatedAt)}</td>
                <td>{UiPage.Text(by)}</td><td>{UiPage.Text(state)}</td></tr>
                """);
        }
        return html.Append("</tbody></table></section>").ToString();
    }
}
