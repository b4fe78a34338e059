using System.Net;
using Larder.Nix.NarInfo;

namespace Larder.Cli.Commands.Explain;

/// <summary>
/// Any other binary cache (<c>http(s)://</c> or <c>file://</c>), asked the way Nix asks: one <c>HASH.narinfo</c> per path,
/// <see cref="Concurrency"/> at a time, anonymously. A narinfo vouches for nothing about its references, so all of
/// them count as to be found elsewhere (or here: the analysis looks them up in every source).
/// </summary>
internal sealed class NarInfoSource(string url, HttpClient http) : PathSource
{
    /// <summary>How many narinfo requests are in flight at once.</summary>
    public const int Concurrency = 16;

    private readonly string _url = url.TrimEnd('/');

    public override string Name => _url;

    public override string Url => _url;

    public override bool IsLarder => false;

    /// <summary>Why the source could not be asked (the first failure), or null.</summary>
    public string? Failure { get; private set; }

    public override async Task<IReadOnlyDictionary<string, PathAnswer>> QueryAsync(IReadOnlyList<string> storePaths, CancellationToken cancellationToken)
    {
        var answers = new System.Collections.Concurrent.ConcurrentDictionary<string, PathAnswer>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            storePaths,
            new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
            async (storePath, ct) => answers[storePath] = await AskAsync(storePath, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return answers;
    }

    private async Task<PathAnswer> AskAsync(string storePath, CancellationToken cancellationToken)
    {
        var hashPart = storePath[(storePath.LastIndexOf('/') + 1)..][..Larder.Nix.Store.StorePath.HashPartLength];
        var text = await FetchAsync($"{_url}/{hashPart}.narinfo", cancellationToken).ConfigureAwait(false);
        if (text is null)
        {
            return PathAnswer.Absent;
        }
        try
        {
            var narInfo = NarInfo.Parse(text);
            var references = narInfo.References.Where(r => r != narInfo.StorePath.BaseName).ToList();
            return new PathAnswer(narInfo, narInfo.FileSize ?? narInfo.NarSize, references);
        }
        catch (NarInfoFormatException e)
        {
            Failure ??= $"{hashPart}.narinfo is malformed: {e.Message}";
            return PathAnswer.Absent;
        }
    }

    private async Task<string?> FetchAsync(string narInfoUrl, CancellationToken cancellationToken)
    {
        try
        {
            if (narInfoUrl.StartsWith("file://", StringComparison.Ordinal))
            {
                var file = new Uri(narInfoUrl).LocalPath;
                return File.Exists(file) ? await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false) : null;
            }
            using var response = await http.GetAsync(narInfoUrl, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized or HttpStatusCode.Gone)
            {
                return null;
            }
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or UriFormatException or UnauthorizedAccessException
                                   or TaskCanceledException { InnerException: TimeoutException })
        {
            Failure ??= e.Message;
            return null;
        }
    }

    /// <summary>Whether <paramref name="url"/> is a kind of substituter this source can ask.</summary>
    public static bool Supports(string url) =>
        url.StartsWith("http://", StringComparison.Ordinal) || url.StartsWith("https://", StringComparison.Ordinal)
        || url.StartsWith("file://", StringComparison.Ordinal);

    /// <summary>A client for narinfo requests: a short timeout per request, since Nix gives up quickly too.</summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), MaxConnectionsPerServer = Concurrency })
    {
        Timeout = TimeSpan.FromSeconds(20),
        DefaultRequestHeaders = { { "User-Agent", "larder-cli/1" } },
    };
}
