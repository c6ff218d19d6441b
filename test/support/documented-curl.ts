/**
 * The curl examples of Glia's REST API documentation, byte for byte (the
 * custom command PUT and the event POST), for the tests that run them
 * against the local server with only the host replaced. Note the quoting:
 * the PUT's header is in double quotes, so the shell puts the operator's
 * token in; the event POST's header is in single quotes, so it sends the
 * literal text `$access_token` as the token. A local server started with
 * `--visitor-token '$access_token'` accepts that.
 */

/** Where the documentation sends them; replaced by the local server's URL. */
export const DOCUMENTED_HOST = 'https://api.salemove.com';

/** `PUT /engagements/$engagement_id/custom_commands/$id` with `$access_token` (the operator's). */
export const CURL_SEND_CUSTOM_COMMAND = "curl --request PUT \\\n    --header \"Authorization: Bearer $access_token\" \\\n    --header \"Accept: application/vnd.salemove.v1+json\" \\\n    --header \"Content-Type: application/json\" \\\n    --data-binary '{\n      \"content\": \"My custom command triggered\",\n      \"properties\": {\"key\": \"value\"}\n    }' \\\n    \"https://api.salemove.com/engagements/$engagement_id/custom_commands/$id\"\n";

/** `POST /engagements/$engagement_id/events`; the token is the literal `$access_token`. */
export const CURL_SEND_EVENT = "curl -X POST \\\n  https://api.salemove.com/engagements/$engagement_id/events \\\n  -H 'Authorization: Bearer $access_token' \\\n  -H 'Accept: application/vnd.salemove.v1+json' \\\n  -H 'Content-Type: application/json' \\\n  -d '{\n\t\"message\": \"Visitor navigated to insurance page\"\n}'\n";
