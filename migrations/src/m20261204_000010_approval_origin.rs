//! Where an approval was made: `plumbline` (by its approver, through Plumbline's waiver or
//! sign-off flow) or `imported` (made in another system and imported by an admin, not verified
//! in Plumbline). Set on exemptions, and on self-assessments once signed off.
//!
//! Rows from before this migration: an exemption matching an approved waiver request was made
//! here; every other exemption and sign-off is marked imported, since nothing shows who made it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [Exemption::Table.into_iden(), SelfAssessment::Table.into_iden()] {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .add_column(ColumnDef::new(Exemption::ApprovalOrigin).text().null())
                    .to_owned(),
            )
            .await?;
        }
        let db = m.get_connection();
        db.execute_unprepared("UPDATE exemption SET approval_origin = 'imported'").await?;
        db.execute_unprepared(
            "UPDATE exemption SET approval_origin = 'plumbline' WHERE EXISTS (SELECT 1 FROM waiver_request w \
             WHERE w.status = 'approved' AND w.service_id = exemption.service_id \
             AND w.check_id = exemption.check_id AND w.decided_by = exemption.approver)",
        )
        .await?;
        db.execute_unprepared("UPDATE self_assessment SET approval_origin = 'imported' WHERE reviewed_by IS NOT NULL")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [Exemption::Table.into_iden(), SelfAssessment::Table.into_iden()] {
            m.alter_table(Table::alter().table(table).drop_column(Exemption::ApprovalOrigin).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Exemption {
    Table,
    ApprovalOrigin,
}

#[derive(DeriveIden)]
enum SelfAssessment {
    Table,
}
