import { assertRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';

/** Every read of the inventory is an admin's: the domain checks it, not only the page. */
export const assertAdmin = (actor: Actor) => assertRole(actor.roles, 'admin', 'the inventory');
