using Larder.Cli.Infrastructure;

namespace Larder.Cli.Client;

public sealed partial class LarderClient
{
    /// <summary>
    /// Checks that the base URL is a Larder server, not one of its caches (which answers <c>nix-cache-info</c>) or some
    /// other web server (which answers the API with HTML or 404), so that a wrong URL is named as such.
    /// </summary>
    public async Task EnsureLarderServerAsync(CancellationToken cancellationToken)
    {
        var url = Server.BaseUrl.ToString();
        try
        {
            using (var cacheInfo = await _http.GetAsync("nix-cache-info", cancellationToken).ConfigureAwait(false))
            {
                if (cacheInfo.IsSuccessStatusCode && (await cacheInfo.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Contains("StoreDir:", StringComparison.Ordinal))
                {
                    var serverUrl = new Uri(Server.BaseUrl, "..").ToString();
                    throw new CliException(
                        $"{url} is a cache URL; the server URL is {serverUrl}",
                        $"log in to the server, then name the cache: larder login NAME {serverUrl} …; larder use NAME:{Server.BaseUrl.Segments[^1].TrimEnd('/')}");
                }
            }
            using var api = await _http.GetAsync("api/v1/caches", cancellationToken).ConfigureAwait(false);
            var mediaType = api.Content.Headers.ContentType?.MediaType;
            if (mediaType is not ("application/json" or "application/problem+json"))
            {
                throw new CliException(
                    $"not a Larder server at {url}: GET api/v1/caches answered {(int)api.StatusCode} {api.StatusCode} ({mediaType ?? "no content type"})",
                    "give the URL that `larder serve` listens on (it prints it at start-up), e.g. http://127.0.0.1:5180");
            }
        }
        catch (HttpRequestException e) when (Translate(e, new Operation("check the server")) is { } translated)
        {
            throw translated;
        }
    }
}
