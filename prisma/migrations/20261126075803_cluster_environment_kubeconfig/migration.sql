-- AlterTable
ALTER TABLE "ClusterEnvironment" ADD COLUMN     "kubeconfigSealed" TEXT;
