// A small typed client over fetch, as the front end would write one: `make test` compiles it with the
// generated types (src/api.d.ts), so a change of the API that breaks such code fails the build.
import type { components, operations, paths } from "./api";

type Schemas = components["schemas"];
export type ApiError = Schemas["Error"]["error"];
type JsonBody<Operation> = Operation extends { requestBody: { content: { "application/json": infer Body } } }
  ? Body
  : never;
type JsonAnswer<Operation, Status extends number> = Operation extends {
  responses: { [S in Status]: { content: { "application/json": infer Answer } } };
}
  ? Answer
  : never;

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiError,
  ) {
    super(error.message);
  }
}

export class Api {
  private tokens: Schemas["TokenResponse"] | null = null;

  constructor(private readonly baseUrl: string) {}

  /** POST /auth/login: the tokens, or the MFA step to answer first. */
  async login(
    body: JsonBody<operations["login"]>,
  ): Promise<Schemas["TokenResponse"] | Schemas["MfaRequired"] | Schemas["MfaEnrollmentRequired"]> {
    const answer = await this.send<JsonAnswer<operations["login"], 200>>("POST", "/auth/login", body);
    if ("access_token" in answer) {
      this.tokens = answer;
    }
    return answer;
  }

  /** GET /me, renewing the access token once when it expired (401 `token_expired`). */
  async me(): Promise<JsonAnswer<paths["/me"]["get"], 200>> {
    return this.authorized(() => this.send("GET", "/me"));
  }

  /** PATCH /users/{id}: a typed path id and body; the role is "admin" or "member". */
  async changeRole(id: string, role: NonNullable<Schemas["UpdateUserRequest"]["role"]>): Promise<Schemas["UserView"]> {
    return this.authorized(() => this.send("PATCH", `/users/${encodeURIComponent(id)}`, { role }));
  }

  private async authorized<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (failure) {
      if (!(failure instanceof ApiFailure) || failure.error.code !== "token_expired" || !this.tokens) {
        throw failure;
      }
      const body: Schemas["RefreshRequest"] = { refresh_token: this.tokens.refresh_token };
      this.tokens = await this.send<JsonAnswer<operations["refresh"], 200>>("POST", "/auth/refresh", body);
      return call();
    }
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (this.tokens) {
      headers.Authorization = `Bearer ${this.tokens.access_token}`;
    }
    const response = await fetch(this.baseUrl + path, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
    });
    if (!response.ok) {
      const failure = (await response.json()) as Schemas["Error"];
      throw new ApiFailure(response.status, failure.error);
    }
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
}
