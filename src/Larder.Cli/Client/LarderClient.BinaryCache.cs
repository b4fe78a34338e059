using System.Net;

namespace Larder.Cli.Client;

public sealed partial class LarderClient
{
    /// <summary>The narinfo text of a path in a cache (<c>GET /{cache}/{hash}.narinfo</c>), or null when absent.</summary>
    public async Task<string?> GetNarInfoAsync(string cache, string hashPart, CancellationToken cancellationToken)
    {
        var operation = new Operation($"read {hashPart}.narinfo from cache '{cache}'", "read", cache);
        try
        {
            using var response = await SendAsync(
                () => new HttpRequestMessage(HttpMethod.Get, $"{Uri.EscapeDataString(cache)}/{hashPart}.narinfo"),
                HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception e) when (Translate(e, operation) is { } translated)
        {
            throw translated;
        }
    }
}
