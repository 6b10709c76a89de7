// Who may do what. Three roles; `orders` and `planner` each include everything `reader` may do.

export const ROLES = ['reader', 'orders', 'planner'] as const;
export type Role = (typeof ROLES)[number];

/** An authenticated caller: its name appears in logs and in the metadata of the commands it issues. */
export interface Principal {
  readonly name: string;
  readonly roles: ReadonlySet<Role>;
  /** How it authenticated. */
  readonly via: 'api-key' | 'jwt';
}

const INCLUDES: Readonly<Record<Role, readonly Role[]>> = {
  reader: ['reader'],
  orders: ['orders', 'reader'],
  planner: ['planner', 'reader'],
};

export const isRole = (value: unknown): value is Role => ROLES.includes(value as Role);

/** True when one of the principal's roles includes `needed`. */
export function allows(principal: Principal, needed: Role): boolean {
  for (const role of principal.roles) if (INCLUDES[role].includes(needed)) return true;
  return false;
}
