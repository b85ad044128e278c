using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Contracts;

/// <summary>The JSON of the admin API and of <c>sbctl --json</c>: snake_case, like the rest of the HTTP API.</summary>
public static class AdminJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
