// Admin: every account and its role.
import type { Metadata } from "next";
import { requireRole } from "../_lib/auth/session";
import { getPrisma } from "../_lib/db";
import { changeRoleAction } from "./actions";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  await requireRole("/admin", ["ADMIN"]);
  const users = await getPrisma().user.findMany({ orderBy: { createdAt: "asc" }, select: { id: true, name: true, email: true, role: true } });
  return (
    <div className="space-y-6">
      <h1 className="text-3xl font-bold">Users</h1>
      <table className="w-full border-collapse bg-white text-sm">
        <thead>
          <tr className="border-b text-left"><th className="p-2">Name</th><th className="p-2">Email</th><th className="p-2">Role</th></tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} className="border-b">
              <td className="p-2">{u.name}</td>
              <td className="p-2">{u.email}</td>
              <td className="p-2">
                <form action={changeRoleAction} className="flex gap-2">
                  <input type="hidden" name="userId" value={u.id} />
                  <label className="sr-only" htmlFor={`role-${u.id}`}>Role of {u.name}</label>
                  <select id={`role-${u.id}`} name="role" defaultValue={u.role} className="rounded border px-2 py-1">
                    <option value="LEARNER">Learner</option>
                    <option value="INSTRUCTOR">Instructor</option>
                    <option value="ADMIN">Admin</option>
                  </select>
                  <button type="submit" className="rounded border px-2 py-1 hover:bg-slate-100">Save</button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
